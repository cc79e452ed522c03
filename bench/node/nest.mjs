// The NestJS 12 server of the benchmark: one gateway with the same handlers as the Rust servers.
// Plain JavaScript (no compile step): the decorators are applied by hand, exactly as TypeScript
// would apply them. Prints `PORT=<n>` once listening on 127.0.0.1 (port 0: any free one).
import 'reflect-metadata';
import { Module, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';

// The DTO of `echo-validated`: the rules of the Rust servers' `EchoDto`.
// class EchoDto { @IsInt() @Min(0) @Max(1000000) n; @IsString() @Length(1, 200) text; }
class EchoDto {}
Reflect.decorate([IsInt(), Min(0), Max(1_000_000)], EchoDto.prototype, 'n', undefined);
Reflect.decorate([IsString(), Length(1, 200)], EchoDto.prototype, 'text', undefined);

class BenchGateway {
  // @SubscribeMessage('echo') echo(@MessageBody() body) -> WsResponse
  echo(body) {
    return { event: 'echo', data: body };
  }

  // @SubscribeMessage('echo-ack') echoAck(@MessageBody() body) -> the ack
  echoAck(body) {
    return body;
  }

  // @SubscribeMessage('echo-validated')
  // echoValidated(@MessageBody(new ValidationPipe()) body: EchoDto) -> WsResponse
  echoValidated(body) {
    return { event: 'echo', data: body };
  }

  // @SubscribeMessage('join') join(@MessageBody() room, @ConnectedSocket() client) -> ack true
  join(room, client) {
    client.join(room);
    return true;
  }

  // @SubscribeMessage('fanout') fanout(@MessageBody() body, @ConnectedSocket() client)
  fanout(body, client) {
    client.to('fanout').emit('fanout', body);
  }
}

// `types`: the parameters' `design:paramtypes` (what TypeScript emits; `Object` by default).
function method(cls, name, event, params, types = params.map(() => Object)) {
  const proto = cls.prototype;
  // Parameter decorators first (TypeScript's order), then the method decorator.
  params.forEach((decorator, index) => decorator(proto, name, index));
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  const decorated = Reflect.decorate([SubscribeMessage(event)], proto, name, descriptor);
  if (decorated) Object.defineProperty(proto, name, decorated);
  Reflect.defineMetadata('design:paramtypes', types, proto, name);
}

method(BenchGateway, 'echo', 'echo', [MessageBody()]);
method(BenchGateway, 'echoAck', 'echo-ack', [MessageBody()]);
method(
  BenchGateway,
  'echoValidated',
  'echo-validated',
  [MessageBody(new ValidationPipe())],
  [EchoDto],
);
method(BenchGateway, 'join', 'join', [MessageBody(), ConnectedSocket()]);
method(BenchGateway, 'fanout', 'fanout', [MessageBody(), ConnectedSocket()]);
const Gateway = Reflect.decorate([WebSocketGateway()], BenchGateway);
Reflect.defineMetadata('design:paramtypes', [], Gateway);

class BenchModule {}
const AppModule = Reflect.decorate([Module({ providers: [Gateway] })], BenchModule);

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
app.useWebSocketAdapter(new IoAdapter(app));
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();
console.log(`PORT=${port}`);
